<<<<<<< ours
export type ButtonVariant = 'primary' | 'secondary' | 'danger';
||||||| base
export type ButtonVariant = 'primary' | 'secondary';
=======
export type ButtonVariant = 'primary' | 'secondary' | 'link';
>>>>>>> theirs

export interface ButtonProps {
  label: string;
  variant: ButtonVariant;
  disabled?: boolean;
}

export function buttonClass(props: ButtonProps): string {
  return `btn btn-${props.variant}${props.disabled ? ' btn-disabled' : ''}`;
}
