document.getElementById('app')?.append('replay');
