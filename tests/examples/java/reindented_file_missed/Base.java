package app;

public class Shelf {
	private final List<String> items= new ArrayList<>();

	public void add(String item) {
		items.add(item);
	}

	public int size() {
		return items.size();
	}
}
