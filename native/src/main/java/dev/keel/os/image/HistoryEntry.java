package dev.keel.os.image;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One step of an image's history; {@code emptyLayer} steps changed only the config. */
public record HistoryEntry(
    @JsonProperty("created") String created,
    @JsonProperty("created_by") String createdBy,
    @JsonProperty("author") String author,
    @JsonProperty("comment") String comment,
    @JsonProperty("empty_layer") Boolean emptyLayer) {

    public boolean addsLayer() {
        return emptyLayer == null || !emptyLayer;
    }
}
