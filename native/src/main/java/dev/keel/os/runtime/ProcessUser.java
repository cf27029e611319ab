package dev.keel.os.runtime;

import java.util.List;

/** The numeric identity a container process runs as, resolved from the image's /etc/passwd and /etc/group. */
public record ProcessUser(int uid, int gid, List<Integer> additionalGids, String home) {

    public ProcessUser {
        additionalGids = List.copyOf(additionalGids);
    }
}
