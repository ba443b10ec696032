<<<<<<< ours
import { formatDate } from './lib/dates';
||||||| base
import { formatDate } from './utils/dates';
=======
import { formatDate } from './utils/dates';
import { addDays } from './utils/dates';
>>>>>>> theirs
import { Invoice } from './models';

export function header(invoice: Invoice): string {
  return `Invoice ${invoice.id} of ${formatDate(invoice.date)}`;
}

export function dueDate(invoice: Invoice): string {
  return formatDate(addDays(invoice.date, 30));
}
