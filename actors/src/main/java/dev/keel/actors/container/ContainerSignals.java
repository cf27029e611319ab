package dev.keel.actors.container;

import java.util.Locale;
import java.util.Set;

/** The signals a client may name in a kill or a stop: Linux's, by name (with or without "SIG") or by number. */
final class ContainerSignals {

    private static final Set<String> NAMES = Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL",
            "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
            "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ");

    /** SIGRTMIN..SIGRTMAX as glibc numbers them; 32 and 33 are glibc's own. */
    private static final int REALTIME_MIN = 34;
    private static final int REALTIME_MAX = 64;

    private ContainerSignals() {
    }

    static boolean isValid(String signal) {
        if (signal.chars().allMatch(Character::isDigit) && !signal.isEmpty() && signal.length() <= 2) {
            int number = Integer.parseInt(signal);
            return (number >= 1 && number <= 31) || (number >= REALTIME_MIN && number <= REALTIME_MAX);
        }
        String name = signal.toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        return NAMES.contains(name) || name.matches("RTMIN(\\+([1-9]|[12][0-9]|30))?|RTMAX(-([1-9]|[12][0-9]|30))?");
    }
}
