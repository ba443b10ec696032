package org.demo;

public final class Build {
<<<<<<< ours
    public static final String VERSION = "2.2.0";
||||||| base
    public static final String VERSION = "2.1.0";
=======
    public static final String VERSION = "2.1.1";
>>>>>>> theirs

    private Build() {}
}
