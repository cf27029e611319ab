package dev.keel.os.image;

/** The two layouts {@code docker save} writes and {@code docker load} reads. */
public enum ArchiveFormat {
    /** manifest.json, {@code <id>.json} configs, {@code <dir>/layer.tar} layers and a repositories file. */
    DOCKER_ARCHIVE,
    /** The OCI image layout: oci-layout, index.json and blobs/sha256. */
    OCI_LAYOUT
}
