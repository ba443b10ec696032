package app;

public class Shelf {
	private final List<String> items= new ArrayList<>();

	public void add(String item) {
		items.add(item);
	}

	public boolean isEmpty() {
		return items.isEmpty();
	}

	public int size() {
		return items.size();
	}
}
