public class Ledger {
    private long total;

    public long total() {
        return total;
    }

    public void add(long n) {
        total += n;
    }

    public void add(long n, long times) {
        total += n * times;
    }
}
