package dev.keel.os.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one JSON mapping of the image package. Output is deterministic (sorted map keys, nulls left out) because
 * an image id is the digest of the config bytes: the same config must always give the same id.
 */
public final class ImageJson {
    private final ObjectMapper mapper = JsonMapper.builder()
        .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .build();

    public byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("image records always serialize", e);
        }
    }

    public <T> T read(byte[] json, Class<T> type) throws InvalidImageException {
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw new InvalidImageException("invalid " + type.getSimpleName() + " JSON: " + e.getMessage());
        }
    }

    ObjectMapper mapper() {
        return mapper;
    }
}
