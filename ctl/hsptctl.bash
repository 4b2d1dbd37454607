# bash completion for hsptctl(1); installed as
# $(PREFIX)/share/bash-completion/completions/hsptctl.

_hsptctl_vms()
{
	# VM names from the daemon, quietly: no daemon, no names.
	local sock=()
	[[ -n $_hsptctl_socket ]] && sock=(--socket "$_hsptctl_socket")
	hsptctl "${sock[@]}" --json list 2>/dev/null |
		sed -n 's/^ *"name": "\(.*\)",\{0,1\}$/\1/p'
}

_hsptctl()
{
	local cur prev words cword
	_init_completion || return
	local commands="create set start pause resume stop destroy list info daemon stats console events"
	local i cmd= _hsptctl_socket=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--socket) _hsptctl_socket=${words[i + 1]}; ((i++)) ;;
		--json) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	case $prev in
	--socket) _filedir; return ;;
	--kernel | --initrd) _filedir; return ;;
	--spt) COMPREPLY=($(compgen -W "soft shared private group:2 group:4" -- "$cur")); return ;;
	--append | --vcpus | --memory | --timeout | --interval) return ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--socket --json --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	case $cmd in
	create)
		COMPREPLY=($(compgen -W "--kernel --initrd --append --vcpus --memory --spt --autostart --json" -- "$cur")) ;;
	set)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--autostart --no-autostart --kernel --initrd --no-initrd --append --vcpus --memory --spt --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_hsptctl_vms)" -- "$cur"))
		fi ;;
	stop)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--force --timeout --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_hsptctl_vms)" -- "$cur"))
		fi ;;
	destroy)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--force --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_hsptctl_vms)" -- "$cur"))
		fi ;;
	stats)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--watch --interval --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_hsptctl_vms)" -- "$cur"))
		fi ;;
	console)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--no-scrollback" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_hsptctl_vms)" -- "$cur"))
		fi ;;
	start | pause | resume | info)
		COMPREPLY=($(compgen -W "$(_hsptctl_vms)" -- "$cur")) ;;
	esac
}
complete -F _hsptctl hsptctl
