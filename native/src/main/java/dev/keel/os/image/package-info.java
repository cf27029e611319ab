/**
 * The image store: content-addressed blobs, layers unpacked once and shared by chain id, image configs in
 * Docker's JSON, {@code docker import}, {@code docker load}/{@code save} (docker-archive and OCI layout),
 * references and tags, inspect, history and removal with reference-counted layers.
 *
 * <p>Layout under {@code <data-root>/image}: {@code blobs/sha256/<hex>} (configs, and each layer's uncompressed
 * tar named by its diff id), {@code layers/<chain id hex>/{diff,diff-id,size}}, {@code images/<id hex>} (one
 * marker per image), {@code references.json} (tags, a projection of the Image entities, which own them) and
 * {@code tmp}. Every archive is unpacked through {@link dev.keel.os.archive.TarExtractor}.
 */
package dev.keel.os.image;
