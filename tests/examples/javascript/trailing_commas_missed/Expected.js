export const routes = {
  home: {
    path: '/',
    title: 'Home',
  },
  about: {
    path: '/about',
    title: 'About us',
  },
  contact: {
    path: '/contact',
<<<<<<< ours
    title: 'Write to us',
  },
||||||| base
    title: 'Contact'
  }
=======
    title: 'Contact'
  },
  blog: {
    path: '/blog',
    title: 'Blog'
  }
>>>>>>> theirs
};
