export const routes = {
  home: {
    path: '/',
    title: 'Home'
  },
  about: {
    path: '/about',
    title: 'About us'
  },
  contact: {
    path: '/contact',
    title: 'Contact'
  }
};
