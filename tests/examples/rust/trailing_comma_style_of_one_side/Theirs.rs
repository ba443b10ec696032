fn main() {
    let v = vec![
        10,
        2,
    ];
    run(v);
}
