package dev.keel.httpapi.event;

import java.time.Instant;
import java.util.Map;

/**
 * One event message as dockerd writes it (Go's encoding/json of {@code events.Message}: its field order, a map's keys
 * sorted, {@code <>&} escaped, the legacy fields left out when empty), plus Keel's {@code "offset"}; one line each.
 * Written by hand because the replay of a long history encodes millions of them.
 */
final class EventJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private EventJson() {
    }

    static void appendLine(DockerEvents.Message message, StringBuilder out) {
        out.append('{');
        if (message.hasLegacyFields()) {
            out.append("\"status\":");
            string(message.action(), out);
            out.append(",\"id\":");
            string(message.actorId(), out);
            String from = message.attributes().get("image");
            if (DockerEvents.CONTAINER.equals(message.type()) && from != null && !from.isEmpty()) {
                out.append(",\"from\":");
                string(from, out);
            }
            out.append(',');
        }
        out.append("\"Type\":");
        string(message.type(), out);
        out.append(",\"Action\":");
        string(message.action(), out);
        out.append(",\"Actor\":{\"ID\":");
        string(message.actorId(), out);
        out.append(",\"Attributes\":{");
        boolean first = true;
        for (Map.Entry<String, String> attribute : message.attributes().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(attribute.getKey(), out);
            out.append(':');
            string(attribute.getValue(), out);
        }
        Instant time = message.time();
        out.append("}},\"scope\":\"local\",\"time\":").append(time.getEpochSecond())
                .append(",\"timeNano\":").append(time.getEpochSecond() * 1_000_000_000L + time.getNano())
                .append(",\"offset\":").append(message.offset())
                .append("}\n");
    }

    private static void string(String value, StringBuilder out) {
        out.append('"');
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicode(c, out);
                default -> {
                    if (c < 0x20) {
                        unicode(c, out);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicode(char c, StringBuilder out) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
    }
}
