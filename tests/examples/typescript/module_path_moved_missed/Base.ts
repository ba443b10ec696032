import { formatDate } from './utils/dates';
import { Invoice } from './models';

export function header(invoice: Invoice): string {
  return `Invoice ${invoice.id} of ${formatDate(invoice.date)}`;
}
