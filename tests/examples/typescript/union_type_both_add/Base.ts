export type ButtonVariant = 'primary' | 'secondary';

export interface ButtonProps {
  label: string;
  variant: ButtonVariant;
  disabled?: boolean;
}

export function buttonClass(props: ButtonProps): string {
  return `btn btn-${props.variant}${props.disabled ? ' btn-disabled' : ''}`;
}
