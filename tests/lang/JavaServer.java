// A Java server that reads to EOF and forgets close(): the report must show no absolute
// address as a module offset ("?+0x7f...") for the JVM's JIT and interpreter frames.
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

public class JavaServer {
    static List<Socket> kept = new ArrayList<>();

    static void serveOne(ServerSocket l) throws Exception {
        Socket s = l.accept();
        InputStream in = s.getInputStream();
        while (in.read() >= 0) { }
        kept.add(s);   // forgot s.close()
    }

    public static void main(String[] args) throws Exception {
        ServerSocket l = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket c = new Socket(InetAddress.getLoopbackAddress(), l.getLocalPort());
        c.close();
        serveOne(l);
        waitLeaks(1, 20000);
    }

    // Past grace_ms: until the library has written n leak records to this process's log
    // (PREFIX.PID of log_path in SOCKLEAK_OPTIONS, which sockleak run sets), with a deadline.
    static void waitLeaks(int n, long timeoutMs) throws Exception {
        String prefix = null;
        for (String o : System.getenv().getOrDefault("SOCKLEAK_OPTIONS", "").split(":"))
            if (o.startsWith("log_path="))
                prefix = o.substring("log_path=".length());
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (prefix != null && System.currentTimeMillis() < deadline) {
            long got = 0;
            try {
                got = Files.readAllLines(Paths.get(prefix + "." + ProcessHandle.current().pid()))
                        .stream().filter(x -> x.contains("\"event\":\"leak\"")).count();
            } catch (java.io.IOException e) {
                // not written yet
            }
            if (got >= n)
                return;
            Thread.sleep(20);
        }
    }
}
