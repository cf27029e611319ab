package dev.keel.httpapi.transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * A request's answer that takes the connection over, as Docker's attach and exec start do: the response head, then
 * raw bytes both ways for the rest of the connection. A route completes with {@link #response()}; the transport
 * ({@link HijackableConnection}) sees it before the HTTP layer does, writes {@link #head} itself and joins the
 * connection's bytes to {@link #streams}: the client's bytes go in, what it emits goes out, and the connection closes
 * when it completes. A client's half-close completes its input; output goes on.
 *
 * @param statusLine {@code HTTP/1.1 101 UPGRADED} or {@code HTTP/1.1 200 OK}
 * @param headers    the head's headers, in order
 */
public record Hijack(String statusLine, List<HttpHeader> headers, Flow<ByteString, ByteString, NotUsed> streams) {

    private static final AttributeKey<Hijack> KEY = AttributeKey.create("keel-hijack", Hijack.class);

    public Hijack {
        headers = List.copyOf(headers);
    }

    /** Docker's answer to {@code Connection: Upgrade} + {@code Upgrade: tcp}; the 20.10 CLI accepts nothing but 101. */
    public static Hijack upgraded(String contentType, Flow<ByteString, ByteString, NotUsed> streams) {
        return new Hijack("HTTP/1.1 101 UPGRADED", List.of(
                RawHeader.create("Content-Type", contentType),
                RawHeader.create("Connection", "Upgrade"),
                RawHeader.create("Upgrade", "tcp")), streams);
    }

    /** Docker's answer to an old client that did not ask for an upgrade: the same stream as a plain body. */
    public static Hijack plain(String contentType, Flow<ByteString, ByteString, NotUsed> streams) {
        return new Hijack("HTTP/1.1 200 OK", List.of(RawHeader.create("Content-Type", contentType)), streams);
    }

    /** What the route completes with; the transport recognises it by an attribute the HTTP layer never renders. */
    public HttpResponse response() {
        return HttpResponse.create().addAttribute(KEY, this);
    }

    /** The hijack {@code response} carries, if any. */
    public static Optional<Hijack> of(HttpResponse response) {
        return response.getAttribute(KEY);
    }

    /**
     * The head as written to the client: the status line, this hijack's headers, then {@code extra} (what directives
     * such as the API version headers added to the response), skipping names already written.
     */
    ByteString head(Iterable<HttpHeader> extra) {
        List<HttpHeader> all = new ArrayList<>(headers);
        for (HttpHeader header : extra) {
            if (all.stream().noneMatch(h -> h.lowercaseName().equals(header.lowercaseName()))) {
                all.add(header);
            }
        }
        StringBuilder head = new StringBuilder(statusLine).append("\r\n");
        for (HttpHeader header : all) {
            head.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        return ByteString.fromString(head.append("\r\n").toString(), StandardCharsets.ISO_8859_1);
    }
}
