public class Ledger {
    private long total;

    public long total() {
        return total;
    }

    public void add(long n) {
        total += n;
    }
}
