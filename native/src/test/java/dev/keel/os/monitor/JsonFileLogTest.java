package dev.keel.os.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileLogTest {

    private static final String LOG = String.join("\n",
        "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:35:11.276402194Z\"}",
        "{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-28T17:35:11.2767Z\"}",
        "{\"log\":\"abc\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:06.173043841Z\"}",
        "{\"log\":\"def\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:06.679512489Z\"}",
        "{\"log\":\"\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:06.679512489Z\"}",
        "{\"log\":\"tail\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:07Z\"}", "");

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("c1-json.log");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldJoinPartialRecordsIntoLines() throws IOException {
        assertThat(JsonFileLog.readAll(write(LOG))).extracting(LogEntry::stream, LogEntry::text).containsExactly(
            tuple(LogStream.STDOUT, "hello\n"),
            tuple(LogStream.STDERR, "err\n"),
            tuple(LogStream.STDOUT, "abcdef\n"),
            tuple(LogStream.STDOUT, "\n"),
            tuple(LogStream.STDOUT, "tail"));
    }

    @Test
    void shouldStampALineWithTheTimeOfItsFirstPiece() throws IOException {
        assertThat(JsonFileLog.readAll(write(LOG))).extracting(LogEntry::time).containsExactly(
            Instant.parse("2026-11-28T17:35:11.276402194Z"),
            Instant.parse("2026-11-28T17:35:11.2767Z"),
            Instant.parse("2026-11-28T17:47:06.173043841Z"),
            Instant.parse("2026-11-28T17:47:06.679512489Z"),
            Instant.parse("2026-11-28T17:47:07Z"));
    }

    @Test
    void shouldUnescapeWhatTheMonitorEscapes() throws IOException {
        String record = "{\"log\":\"\\\"q\\\" \\\\ \\t\\r \\u001b[1m \\u003cb\\u003e \\u0026 \\ufffd é\\n\","
            + "\"stream\":\"stdout\",\"time\":\"2026-11-28T17:35:11Z\"}\n";

        assertThat(JsonFileLog.readAll(write(record))).extracting(LogEntry::text)
            .containsExactly("\"q\" \\ \t\r \u001b[1m <b> & \ufffd é\n");
    }

    @Test
    void shouldKeepAPartialLineOfOneStreamApartFromTheOthersOutput() throws IOException {
        String log = "{\"log\":\"prompt> \",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:35:11Z\"}\n"
            + "{\"log\":\"warning\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-28T17:35:12Z\"}\n";

        assertThat(JsonFileLog.readAll(write(log))).extracting(LogEntry::stream, LogEntry::text).containsExactly(
            tuple(LogStream.STDOUT, "prompt> "),
            tuple(LogStream.STDERR, "warning\n"));
    }

    @Test
    void shouldLeaveAnUnfinishedLineForTheNextReadWhenFollowing() throws IOException {
        Path file = write(LOG);

        LogChunk first = JsonFileLog.readFrom(file, 0);
        assertThat(first.entries()).hasSize(4);

        Files.writeString(file, LOG + "{\"log\":\"-end\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:08Z\"}\n",
            StandardCharsets.UTF_8);
        LogChunk next = JsonFileLog.readFrom(file, first.nextOffset());

        assertThat(next.entries()).extracting(LogEntry::text).containsExactly("tail-end\n");
        assertThat(next.nextOffset()).isEqualTo(Files.size(file));
    }

    @Test
    void shouldLeaveARecordCutAtTheEndOfTheFileForTheNextRead() throws IOException {
        String whole = "{\"log\":\"second\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-28T17:47:08Z\"}\n";
        String head = "{\"log\":\"first\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:07Z\"}\n";
        Path file = write(head + whole.substring(0, 20));

        LogChunk first = JsonFileLog.readFrom(file, 0);
        assertThat(first.entries()).extracting(LogEntry::text).containsExactly("first\n");
        assertThat(first.nextOffset()).isEqualTo(head.length());

        Files.writeString(file, head + whole, StandardCharsets.UTF_8);
        assertThat(JsonFileLog.readFrom(file, first.nextOffset()).entries())
            .extracting(LogEntry::stream, LogEntry::text).containsExactly(tuple(LogStream.STDERR, "second\n"));
    }

    @Test
    void shouldSkipALineThatIsNotARecord() throws IOException {
        String log = "not json\n{\"log\":\"ok\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-28T17:47:08Z\"}\n";

        assertThat(JsonFileLog.readAll(write(log))).extracting(LogEntry::text).containsExactly("ok\n");
    }

    @Test
    void shouldReadNothingFromAMissingFile() {
        assertThat(JsonFileLog.readAll(dir.resolve("none-json.log"))).isEmpty();
    }

    @Test
    void shouldTellTheFormatOfALogByItsName() {
        assertThat(LogFiles.isJsonFile(Path.of("/c/abc-json.log"))).isTrue();
        assertThat(LogFiles.isJsonFile(Path.of("/c/abc-json.log.2"))).isTrue();
        assertThat(LogFiles.isJsonFile(Path.of("/c/ctr.log"))).isFalse();
        assertThat(LogFiles.isJsonFile(Path.of("/c/ctr.log.1"))).isFalse();
    }
}
