package dev.keel.httpapi.startup;

/** The command line cannot be understood; keeld prints the message, points at --help and exits 1. */
public final class BadUsage extends Exception {
    public BadUsage(String message) {
        super(message);
    }
}
