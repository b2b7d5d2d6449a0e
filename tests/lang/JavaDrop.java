// A Java client drops a connected socket without close(): the JVM's Cleaner closes it after a
// garbage collection. Expected: gc_closed for it; the server's side, closed explicitly, is
// not reported.
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

public class JavaDrop {
    static void leak(int port) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write(1);
    }

    public static void main(String[] args) throws Exception {
        ServerSocket l = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        leak(l.getLocalPort());
        Socket a = l.accept();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
        a.close();
        l.close();
    }
}
