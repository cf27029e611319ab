package dev.keel.os.image;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Tags: normalised references to image ids, kept in {@code <data-root>/image/references.json}, written whole,
 * atomically, on every change. A projection of the Image entities' tags, which own them: it is changed only after
 * an entity recorded the change, and rebuilt from the entities at start; the file lets names resolve before that.
 */
public final class ReferenceIndex {
    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };
    private final Path file;
    private final ImageJson json;
    private final TreeMap<String, Digest> refs = new TreeMap<>();

    public ReferenceIndex(ImageSettings settings, ImageJson json) throws IOException {
        this.file = settings.imageDir().resolve("references.json");
        this.json = json;
        if (Files.exists(file)) {
            TreeMap<String, String> stored = json.mapper().readValue(file.toFile(), MAP);
            stored.forEach((ref, id) -> refs.put(ref, Digest.parse(id)));
        }
    }

    /** Points the reference at the image; returns the image it pointed at before, if another. */
    public synchronized Optional<Digest> tag(ImageReference ref, Digest id) throws IOException {
        Digest previous = refs.put(ref.toString(), id);
        save();
        return Optional.ofNullable(previous).filter(p -> !p.equals(id));
    }

    /** Replaces every reference with {@code all}, e.g. with what the entities recorded. */
    public synchronized void replaceAll(Map<ImageReference, Digest> all) throws IOException {
        refs.clear();
        all.forEach((ref, id) -> refs.put(ref.toString(), id));
        save();
    }

    public synchronized boolean untag(ImageReference ref) throws IOException {
        boolean removed = refs.remove(ref.toString()) != null;
        if (removed) {
            save();
        }
        return removed;
    }

    public synchronized Optional<Digest> lookup(ImageReference ref) {
        return Optional.ofNullable(refs.get(ref.toString()));
    }

    public synchronized List<ImageReference> referencesTo(Digest id) {
        List<ImageReference> out = new ArrayList<>();
        for (Map.Entry<String, Digest> e : refs.entrySet()) {
            if (e.getValue().equals(id)) {
                out.add(ImageReference.parse(e.getKey()));
            }
        }
        return out;
    }

    private void save() throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        refs.forEach((ref, id) -> out.put(ref, id.toString()));
        Path part = file.resolveSibling(file.getFileName() + ".part");
        Files.write(part, json.write(out));
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
