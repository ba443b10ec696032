public class Ledger {
    private long total;

    public void add(int n) {
        total += n;
    }

    public long total() {
        return total;
    }

    public void add(long n) {
        total += n;
    }
}
