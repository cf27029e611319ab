package dev.keel.os.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A Docker / OCI image config (the JSON whose sha256 is the image id). Fields Keel does not use are ignored
 * on reading; the stored bytes, not this record, are the image, so nothing is lost by ignoring them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("variant") String variant,
    @JsonProperty("created") String created,
    @JsonProperty("author") String author,
    @JsonProperty("comment") String comment,
    @JsonProperty("config") ContainerDefaults config,
    @JsonProperty("rootfs") RootFs rootfs,
    @JsonProperty("history") List<HistoryEntry> history) {

    public List<Digest> diffIds() {
        return rootfs == null ? List.of() : rootfs.digests();
    }

    public ContainerDefaults configOrEmpty() {
        return config == null ? ContainerDefaults.empty() : config;
    }
}
