package demo

// Version is the release of this module.
const Version = "v1.5.2"
