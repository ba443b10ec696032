enum Color {
    CRIMSON,
    GREEN,
}
