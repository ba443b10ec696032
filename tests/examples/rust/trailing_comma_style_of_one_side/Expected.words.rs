fn main() {
    let v = vec![
<<<<<<< ours
        1,
        2,
        3
||||||| base
        1,
        2
=======
        10,
        2,
>>>>>>> theirs
    ];
    run(v);
}
