// Search: embedding indexes and exact top-k search (see its files).
