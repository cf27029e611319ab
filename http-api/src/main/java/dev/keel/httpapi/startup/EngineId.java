package dev.keel.httpapi.startup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * This host's identity, kept in {@code <data-root>/engine-id} like dockerd's: the id of its Host entity,
 * stable across restarts of keeld on the same data root.
 */
public final class EngineId {

    private EngineId() {
    }

    public static String loadOrCreate(Path dataRoot) throws IOException {
        Path file = dataRoot.resolve("engine-id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String id = UUID.randomUUID().toString();
        Path partial = dataRoot.resolve("engine-id.tmp");
        Files.writeString(partial, id + "\n", StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return id;
    }
}
