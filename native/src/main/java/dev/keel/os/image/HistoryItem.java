package dev.keel.os.image;

import java.util.List;

/**
 * One line of {@code docker history}, newest first.
 *
 * @param id the image id on the top line, null ("&lt;missing&gt;") below it
 * @param size bytes the step's layer adds, 0 for config-only steps
 */
public record HistoryItem(Digest id, String created, String createdBy, List<String> tags, long size, String comment) {
}
