module.exports = {
  name: 'demo',
<<<<<<< ours
  version: '1.1.9',
||||||| base
  version: '1.0.9',
=======
  version: '1.0.10',
>>>>>>> theirs
};
