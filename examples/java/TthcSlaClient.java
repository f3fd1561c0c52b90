import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of {@code tthc-sla serve-jsonl} (protocol version 1, docs/integrating.md).
 *
 * <p>One child process is started once and kept: each request is one line of JSON written to its
 * standard input, each answer one line read from its standard output, in the same order. The
 * process answers one request at a time, so {@link #call} is synchronized; a busy service keeps a
 * small pool of clients (one per core) or sends batches with {@link #callAll}.
 *
 * <p>Java has no JSON parser built in: a real service uses its own (Jackson, Gson, JSON-B). This
 * example builds requests with {@link #quote} and reads answers with a small pattern ({@link
 * #field}) so that it compiles and runs with the JDK alone.
 *
 * <p>Run: {@code javac -encoding UTF-8 -d out TthcSlaClient.java && java -cp out TthcSlaClient}
 * (starts {@code tthc-sla serve-jsonl}), or give the command:
 * {@code java -cp out TthcSlaClient python3 -m tthc_sla serve-jsonl --procedures procedures.csv}.
 */
public final class TthcSlaClient implements AutoCloseable {
    private final Process process;
    private final BufferedWriter toServer;
    private final BufferedReader fromServer;

    public TthcSlaClient(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT); // start-up errors: one line
        process = builder.start();
        // UTF-8 both ways, whatever the platform's default encoding.
        toServer = new BufferedWriter(
                new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        fromServer = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends one request line and returns its answer line. */
    public synchronized String call(String request) throws IOException {
        toServer.write(request);
        toServer.write('\n');
        toServer.flush();
        String answer = fromServer.readLine();
        if (answer == null) {
            throw new IOException("tthc-sla serve-jsonl ended (see its standard error)");
        }
        return answer;
    }

    /**
     * Sends many requests and returns their answers, in order. A thread writes while this one
     * reads: writing everything first could fill both pipes and block both processes.
     */
    public synchronized List<String> callAll(List<String> requests)
            throws IOException, InterruptedException {
        IOException[] failed = new IOException[1];
        Thread writer = new Thread(() -> {
            try {
                for (String request : requests) {
                    toServer.write(request);
                    toServer.write('\n');
                }
                toServer.flush();
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        writer.start();
        List<String> answers = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            String answer = fromServer.readLine();
            if (answer == null) {
                break;
            }
            answers.add(answer);
        }
        writer.join();
        if (failed[0] != null) {
            throw failed[0];
        }
        if (answers.size() != requests.size()) {
            throw new IOException("tthc-sla serve-jsonl ended (see its standard error)");
        }
        return answers;
    }

    /** Closes the child's standard input: it ends (exit status 0) after its last answer. */
    @Override
    public void close() throws IOException {
        toServer.close();
        int status;
        try {
            status = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for tthc-sla serve-jsonl to end", e);
        }
        if (status != 0) {
            throw new IOException("tthc-sla serve-jsonl exited with status " + status);
        }
    }

    /** A JSON string literal. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The first value of a field in an answer line, unquoted (an example, not a JSON parser). */
    public static String field(String answer, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name)
                + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}\\]]*)").matcher(answer);
        if (!m.find()) {
            return null;
        }
        return m.group(2) != null ? m.group(2).replace("\\\"", "\"").replace("\\\\", "\\")
                : m.group(1);
    }

    static String deadline(int id, String receivedAt, String rule) {
        return "{\"v\":1,\"id\":" + id + ",\"type\":\"deadline\",\"received_at\":"
                + quote(receivedAt) + ",\"rule\":" + quote(rule) + "}";
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(
                new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        List<String> command = args.length > 0 ? Arrays.asList(args)
                : List.of("tthc-sla", "serve-jsonl");
        try (TthcSlaClient sla = new TthcSlaClient(command)) {
            String hello = sla.call("{\"v\":1,\"id\":0,\"type\":\"hello\"}");
            out.println("server=" + field(hello, "server") + " v=" + field(hello, "v"));

            // The deadline of a dossier received on Fri 20/11/2026 at 09:30, 15 working days.
            String due = sla.call(deadline(1, "2026-11-20T09:30", "15 ngày làm việc"));
            out.println("due_at=" + field(due, "due_at"));
            out.println("skipped=" + field(due, "date") + " " + field(due, "reason"));

            String add = sla.call("{\"v\":1,\"id\":2,\"type\":\"add_working_days\","
                    + "\"date\":\"2026-11-20\",\"n\":2}");
            out.println("add_working_days=" + field(add, "date"));
            String between = sla.call("{\"v\":1,\"id\":3,\"type\":\"working_days_between\","
                    + "\"a\":\"2026-02-12\",\"b\":\"2026-02-23\"}");
            out.println("working_days_between=" + field(between, "days"));

            // One dossier's events, with its procedure inline.
            String evaluation = sla.call("{\"v\":1,\"id\":4,\"type\":\"evaluate\","
                    + "\"dossier_id\":\"HS-1\",\"as_of\":\"2026-12-31T17:00\","
                    + "\"procedure\":{\"code\":\"1.001\",\"rule\":" + quote("5 ngày làm việc")
                    + "},\"events\":["
                    + "{\"at\":\"2026-11-20T09:30\",\"kind\":" + quote("tiếp nhận") + "},"
                    + "{\"at\":\"2026-11-27T10:00\",\"kind\":" + quote("đã giải quyết") + "}]}");
            out.println("outcome=" + field(evaluation, "outcome")
                    + " due_date=" + field(evaluation, "due_date"));

            // A bad request is answered, not fatal: the error names its type and field.
            String bad = sla.call(deadline(5, "2026-11-20T09:30", "sớm nhất có thể"));
            out.println("error: " + field(bad, "type") + " in " + field(bad, "field"));

            // A batch, pipelined: the answers come back in the order of the requests.
            int n = 20_000;
            List<String> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(deadline(1000 + i, "2026-11-20T09:30", "15 ngày làm việc"));
            }
            long start = System.nanoTime();
            List<String> answers = sla.callAll(batch);
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean inOrder = true;
            for (int i = 0; i < n; i++) {
                inOrder &= String.valueOf(1000 + i).equals(field(answers.get(i), "id"));
            }
            out.println("answers in order: " + inOrder);
            out.printf("%d deadline requests pipelined: %.0f requests/s%n", n, n / seconds);
        }
    }
}
