/* Built with -static: the runner must refuse it. Creates the file argv[1] if it ever runs. */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1)
		close(open(argv[1], O_WRONLY | O_CREAT, 0644));
	return 0;
}
