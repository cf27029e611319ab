/**
 * Container root filesystems on overlayfs: mount, unmount and {@code docker diff} from the upper directory.
 * Image layers are unpacked with overlay whiteouts already in place ({@link dev.keel.os.archive.Whiteouts}), so
 * they are used as lower directories unchanged.
 */
package dev.keel.os.overlay;
