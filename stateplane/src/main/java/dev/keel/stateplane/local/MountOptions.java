package dev.keel.stateplane.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local driver's {@code o} option split the way Docker's {@code mount.Mount} splits it: words mount(2) knows as
 * MS_* flags set or clear those flags, and every other word goes to the filesystem as data ({@code size=64m},
 * {@code uid=1000}, {@code addr=…}).
 *
 * @param flags the MS_* flags for the first mount(2)
 * @param propagation MS_SHARED/PRIVATE/SLAVE/UNBINDABLE, which Linux only accepts in a call of their own
 * @param data the comma-joined rest, empty when none
 */
record MountOptions(long flags, long propagation, String data) {

    static final long MS_RDONLY = 1;
    static final long MS_BIND = 1 << 12;
    static final long MS_REMOUNT = 1 << 5;
    static final long MS_REC = 1 << 14;
    private static final long MS_NOSUID = 1 << 1;
    private static final long MS_NODEV = 1 << 2;
    private static final long MS_NOEXEC = 1 << 3;
    private static final long MS_SYNCHRONOUS = 1 << 4;
    private static final long MS_MANDLOCK = 1 << 6;
    private static final long MS_DIRSYNC = 1 << 7;
    private static final long MS_NOATIME = 1 << 10;
    private static final long MS_NODIRATIME = 1 << 11;
    private static final long MS_UNBINDABLE = 1 << 17;
    private static final long MS_PRIVATE = 1 << 18;
    private static final long MS_SLAVE = 1 << 19;
    private static final long MS_SHARED = 1 << 20;
    private static final long MS_RELATIME = 1 << 21;
    private static final long MS_STRICTATIME = 1 << 24;

    /** A word's flag and whether the word clears it ("rw" clears MS_RDONLY). */
    private record Flag(long bits, boolean clears) {}

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Flag(0, false)),
            Map.entry("ro", new Flag(MS_RDONLY, false)),
            Map.entry("rw", new Flag(MS_RDONLY, true)),
            Map.entry("suid", new Flag(MS_NOSUID, true)),
            Map.entry("nosuid", new Flag(MS_NOSUID, false)),
            Map.entry("dev", new Flag(MS_NODEV, true)),
            Map.entry("nodev", new Flag(MS_NODEV, false)),
            Map.entry("exec", new Flag(MS_NOEXEC, true)),
            Map.entry("noexec", new Flag(MS_NOEXEC, false)),
            Map.entry("sync", new Flag(MS_SYNCHRONOUS, false)),
            Map.entry("async", new Flag(MS_SYNCHRONOUS, true)),
            Map.entry("dirsync", new Flag(MS_DIRSYNC, false)),
            Map.entry("remount", new Flag(MS_REMOUNT, false)),
            Map.entry("mand", new Flag(MS_MANDLOCK, false)),
            Map.entry("nomand", new Flag(MS_MANDLOCK, true)),
            Map.entry("atime", new Flag(MS_NOATIME, true)),
            Map.entry("noatime", new Flag(MS_NOATIME, false)),
            Map.entry("diratime", new Flag(MS_NODIRATIME, true)),
            Map.entry("nodiratime", new Flag(MS_NODIRATIME, false)),
            Map.entry("bind", new Flag(MS_BIND, false)),
            Map.entry("rbind", new Flag(MS_BIND | MS_REC, false)),
            Map.entry("relatime", new Flag(MS_RELATIME, false)),
            Map.entry("norelatime", new Flag(MS_RELATIME, true)),
            Map.entry("strictatime", new Flag(MS_STRICTATIME, false)),
            Map.entry("nostrictatime", new Flag(MS_STRICTATIME, true)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE,
            "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED,
            "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE,
            "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE,
            "runbindable", MS_UNBINDABLE | MS_REC);

    static MountOptions parse(String o) {
        long flags = 0;
        long propagation = 0;
        List<String> data = new ArrayList<>();
        for (String word : o.split(",")) {
            if (word.isEmpty()) {
                continue;
            }
            Flag flag = FLAGS.get(word);
            Long change = PROPAGATION.get(word);
            if (flag != null) {
                flags = flag.clears() ? flags & ~flag.bits() : flags | flag.bits();
            } else if (change != null) {
                propagation |= change;
            } else {
                data.add(word);
            }
        }
        return new MountOptions(flags, propagation, String.join(",", data));
    }

    boolean isBind() {
        return (flags & MS_BIND) != 0;
    }

    /** A read-only bind mount needs a second call: the kernel ignores MS_RDONLY on the bind itself. */
    boolean needsReadOnlyRemount() {
        return isBind() && (flags & MS_RDONLY) != 0;
    }
}
