package dev.keel.os.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The {@code rootfs} of an image config: its layers, bottom first, by the digest of their uncompressed tar. */
public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<String> diffIds) {
    public static RootFs layers(List<Digest> diffIds) {
        return new RootFs("layers", diffIds.stream().map(Digest::toString).toList());
    }

    public List<Digest> digests() {
        return diffIds == null ? List.of() : diffIds.stream().map(Digest::parse).toList();
    }
}
