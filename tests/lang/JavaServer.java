// A Java server that reads to EOF and forgets close(): the report must show no absolute
// address as a module offset ("?+0x7f...") for the JVM's JIT and interpreter frames.
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
        Thread.sleep(1000);
    }
}
