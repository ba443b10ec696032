module.exports = {
  name: 'demo',
  version: '1.0.9',
};
