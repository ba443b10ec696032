package app;

public class Shelf {
    private final List<String> items = new ArrayList<>();

    public void add(String item) {
        items.add(item);
    }

<<<<<<< ours
	public boolean isEmpty() {
		return items.isEmpty();
	}

	public int size() {
		return items.size();
	}
||||||| base
	public int size() {
		return items.size();
	}
=======
    public int size() {
        return items.size();
    }
>>>>>>> theirs
}
