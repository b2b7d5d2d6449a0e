// A Java client drops a connected socket without close(): the JVM's Cleaner closes it after a
// garbage collection. Expected: gc_closed for it; the server's side, closed explicitly, is
// not reported.
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

public class JavaDrop {
    static void leak(int port) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write(1);
    }

    public static void main(String[] args) throws Exception {
        ServerSocket l = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        leak(l.getLocalPort());
        Socket a = l.accept();
        InputStream in = a.getInputStream();
        if (in.read() != 1)
            System.exit(99);
        // Collect until the Cleaner has closed the dropped socket: this side then reads EOF
        // (the library writes its record before that close), or a 20 s deadline passes.
        a.setSoTimeout(20);
        long deadline = System.currentTimeMillis() + 20000;
        while (System.currentTimeMillis() < deadline) {
            System.gc();
            try {
                if (in.read() < 0)
                    break;
            } catch (SocketTimeoutException e) {
                // not yet
            }
        }
        a.close();
        l.close();
    }
}
