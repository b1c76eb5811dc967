package dev.portcullis.mgmt.console;

/** Where a console session is: operational mode, or configuration mode with a candidate. */
public enum Mode {
    OPERATIONAL(">"),
    CONFIGURE("#");

    private final String promptSign;

    Mode(String promptSign) {
        this.promptSign = promptSign;
    }

    public String promptSign() {
        return promptSign;
    }
}
