import { debounce, throttle } from 'lodash-es';

export function onResize(handler: () => void): () => void {
  const wrapped = debounce(handler, 100);
  window.addEventListener('resize', wrapped);
  return () => window.removeEventListener('resize', wrapped);
}

export function onScroll(handler: () => void): () => void {
  const wrapped = throttle(handler, 50);
  window.addEventListener('scroll', wrapped);
  return () => window.removeEventListener('scroll', wrapped);
}
