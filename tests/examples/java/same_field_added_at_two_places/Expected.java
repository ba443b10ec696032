package com.example.mail;

public class Message {
    private final String to;
<<<<<<< ours
    private String replyTo;
||||||| base
=======
>>>>>>> theirs
    private final String subject;

    public Message(String to, String subject) {
        this.to = to;
        this.subject = subject;
    }

    public String to() {
        return to;
    }

    public String subject() {
        return subject;
    }

<<<<<<< ours
||||||| base
=======
    private java.util.List<String> replyTo = new java.util.ArrayList<>();
>>>>>>> theirs
}
