<<<<<<< ours
import { throttle } from 'lodash-es';
||||||| base
import { debounce, throttle } from 'lodash-es';
=======
import { debounce, memoize, throttle } from 'lodash-es';
>>>>>>> theirs

export function onResize(handler: () => void): () => void {
  const wrapped = throttle(handler, 100);
  window.addEventListener('resize', wrapped);
  return () => window.removeEventListener('resize', wrapped);
}

export const onInput = (handler: (value: string) => void) => debounce(handler, 250);

export const measure = memoize((text: string) => text.length * 8);

export function onScroll(handler: () => void): () => void {
  const wrapped = throttle(handler, 50);
  window.addEventListener('scroll', wrapped);
  return () => window.removeEventListener('scroll', wrapped);
}
