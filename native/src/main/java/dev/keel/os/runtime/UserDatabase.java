package dev.keel.os.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The users and groups of a root filesystem ({@code /etc/passwd}, {@code /etc/group}), resolved the way runc and
 * Docker do: names must exist, numeric ids need not, and a user's supplementary groups are the groups that list
 * the user's name as a member.
 */
public final class UserDatabase {

    private record PasswdEntry(String name, int uid, int gid, String home) {}

    private record GroupEntry(String name, int gid, List<String> members) {}

    private final List<PasswdEntry> users;
    private final List<GroupEntry> groups;

    private UserDatabase(List<PasswdEntry> users, List<GroupEntry> groups) {
        this.users = users;
        this.groups = groups;
    }

    /** Reads the databases inside {@code rootfs}; a missing file is an empty database. */
    public static UserDatabase of(Path rootfs) {
        return parse(readInside(rootfs, "etc/passwd"), readInside(rootfs, "etc/group"));
    }

    static UserDatabase parse(String passwd, String group) {
        List<PasswdEntry> users = new ArrayList<>();
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && isNumber(f[2]) && isNumber(f[3])) {
                users.add(new PasswdEntry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]));
            }
        }
        List<GroupEntry> groups = new ArrayList<>();
        for (String line : group.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && isNumber(f[2])) {
                List<String> members = f[3].isEmpty() ? List.of() : List.of(f[3].split(","));
                groups.add(new GroupEntry(f[0], Integer.parseInt(f[2]), members));
            }
        }
        return new UserDatabase(users, groups);
    }

    /**
     * Resolves {@code user} ({@code ""}, {@code name}, {@code uid}, {@code name:group}, {@code uid:gid}) and extra
     * groups (names or gids).
     *
     * @throws IllegalArgumentException when a name is not in the databases
     */
    public ProcessUser resolve(String user, List<String> additionalGroups) {
        String userPart = user.isEmpty() ? "0" : user;
        String groupPart = null;
        int colon = userPart.indexOf(':');
        if (colon >= 0) {
            groupPart = userPart.substring(colon + 1);
            userPart = userPart.substring(0, colon);
        }
        PasswdEntry entry;
        if (isNumber(userPart)) {
            int uid = Integer.parseInt(userPart);
            entry = users.stream().filter(u -> u.uid() == uid).findFirst()
                .orElse(new PasswdEntry("", uid, 0, "/"));
        } else {
            String name = userPart;
            entry = users.stream().filter(u -> u.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                    "unable to find user " + name + ": no matching entries in passwd file"));
        }
        int gid = groupPart == null || groupPart.isEmpty() ? entry.gid() : groupId(groupPart);
        Set<Integer> additional = new LinkedHashSet<>();
        if (!entry.name().isEmpty() && groupPart == null) {
            for (GroupEntry g : groups) {
                if (g.members().contains(entry.name()) && g.gid() != gid) {
                    additional.add(g.gid());
                }
            }
        }
        for (String g : additionalGroups) {
            additional.add(groupId(g));
        }
        return new ProcessUser(entry.uid(), gid, List.copyOf(additional), entry.home().isEmpty() ? "/" : entry.home());
    }

    private int groupId(String group) {
        if (isNumber(group)) {
            return Integer.parseInt(group);
        }
        Optional<GroupEntry> found = groups.stream().filter(g -> g.name().equals(group)).findFirst();
        return found.orElseThrow(() -> new IllegalArgumentException(
            "unable to find group " + group + ": no matching entries in group file")).gid();
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(Character::isDigit);
    }

    /** Reads a file of the rootfs, refusing one whose symlinks lead outside the rootfs. */
    private static String readInside(Path rootfs, String relative) {
        try {
            Path root = rootfs.toRealPath();
            Path file = root.resolve(relative).toRealPath();
            if (!file.startsWith(root)) {
                throw new IllegalArgumentException("/" + relative + " of the root filesystem points outside it");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
