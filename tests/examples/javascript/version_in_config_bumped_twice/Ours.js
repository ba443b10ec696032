module.exports = {
  name: 'demo',
  version: '1.1.9',
};
