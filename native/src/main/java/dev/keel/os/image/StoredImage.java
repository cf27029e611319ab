package dev.keel.os.image;

import java.util.List;

/**
 * An image in the store.
 *
 * @param id the digest of the config JSON
 * @param config the parsed config
 * @param chainIds the chain id of each layer, bottom first (the same length as the config's diff ids)
 */
public record StoredImage(Digest id, ImageConfig config, List<Digest> chainIds) {
    public StoredImage {
        chainIds = List.copyOf(chainIds);
    }
}
