package dev.keel.httpapi.authz;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A request body looked at without taking it from the route, as dockerd's authorization middleware peeks: at most
 * {@code bound} bytes are read; when the whole body is shorter it is {@link #whole}, otherwise the plugins see no
 * body. Either way {@link #entity} yields every byte of the original body to the route.
 *
 * @param whole  the body, when it is shorter than the bound
 * @param entity what the route reads instead of the original entity
 */
record PeekedBody(Optional<byte[]> whole, RequestEntity entity) {

    /** The body of {@code entity}, read as far as {@code bound} bytes; a longer body is passed on unread. */
    static CompletionStage<PeekedBody> read(RequestEntity entity, int bound, Materializer materializer) {
        if (entity instanceof HttpEntity.Strict strict) {
            ByteString data = strict.getData();
            return CompletableFuture.completedFuture(new PeekedBody(
                    data.size() < bound ? Optional.of(data.toArray()) : Optional.empty(), entity));
        }
        OptionalLong length = entity.getContentLengthOption();
        if (length.isPresent() && length.getAsLong() >= bound) {
            return CompletableFuture.completedFuture(new PeekedBody(Optional.empty(), entity));
        }
        Source<ByteString, NotUsed> body = entity.getDataBytes().mapMaterializedValue(any -> NotUsed.getInstance());
        return step(entity.getContentType(), length, ByteString.emptyByteString(), body, bound, materializer);
    }

    /** Takes one more chunk; stops at the end of the body or once {@code bound} bytes are read. */
    private static CompletionStage<PeekedBody> step(ContentType type, OptionalLong length, ByteString read,
                                                    Source<ByteString, NotUsed> rest, int bound,
                                                    Materializer materializer) {
        return rest.prefixAndTail(1).runWith(Sink.head(), materializer).thenCompose(split -> {
            if (split.first().isEmpty()) {
                return CompletableFuture.completedFuture(
                        new PeekedBody(Optional.of(read.toArray()), HttpEntities.create(type, read)));
            }
            ByteString soFar = read.concat(split.first().get(0));
            if (soFar.size() >= bound) {
                Source<ByteString, NotUsed> whole = Source.single(soFar).concat(split.second());
                RequestEntity passedOn = length.isPresent()
                        ? HttpEntities.create(type, length.getAsLong(), whole)
                        : HttpEntities.createChunked(type, whole);
                return CompletableFuture.completedFuture(new PeekedBody(Optional.empty(), passedOn));
            }
            return step(type, length, soFar, split.second(), bound, materializer);
        });
    }
}
