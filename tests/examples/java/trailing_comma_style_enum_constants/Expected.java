enum Color {
<<<<<<< ours
    RED,
    GREEN,
    BLUE
||||||| base
    RED,
    GREEN
=======
    CRIMSON,
    GREEN,
>>>>>>> theirs
}
