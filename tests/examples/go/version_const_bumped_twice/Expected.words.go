package demo

// Version is the release of this module.
<<<<<<< ours
const Version = "v1.5.2"
||||||| base
const Version = "v1.4.2"
=======
const Version = "v1.4.3"
>>>>>>> theirs
