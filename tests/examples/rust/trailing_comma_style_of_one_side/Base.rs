fn main() {
    let v = vec![
        1,
        2
    ];
    run(v);
}
